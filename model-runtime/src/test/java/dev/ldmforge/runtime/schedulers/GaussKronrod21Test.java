package dev.ldmforge.runtime.schedulers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussKronrod21Test {
    @Test
    void exactForPolynomialsAndAccurateForSmoothFunctions() {
        assertEquals(1.0 / 32, GaussKronrod21.integrate(x -> Math.pow(x, 31), 0, 1).value(), 1e-15);
        assertEquals((Math.pow(0.03, 4) - Math.pow(14.6, 4)) / 4,
                GaussKronrod21.integrate(x -> x * x * x, 14.6, 0.03).value(), 1e-9);
        GaussKronrod21.Result sine = GaussKronrod21.integrate(Math::sin, 0, Math.PI);
        assertEquals(2.0, sine.value(), 1e-14);
        assertTrue(sine.error() < 1e-6, "error estimate " + sine.error());
    }
}
