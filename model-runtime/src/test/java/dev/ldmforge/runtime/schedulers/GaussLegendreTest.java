package dev.ldmforge.runtime.schedulers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GaussLegendreTest {
    @Test
    void exactForPolynomialsBelowDegree2nAndAccurateForSmoothFunctions() {
        GaussLegendre rule = new GaussLegendre(8);
        assertEquals(1.0 / 16, rule.integrate(x -> Math.pow(x, 15), 0, 1), 1e-15);
        assertEquals((Math.pow(0.03, 4) - Math.pow(14.6, 4)) / 4, rule.integrate(x -> x * x * x, 14.6, 0.03), 1e-9);
        assertEquals(2.0, rule.integrate(Math::sin, 0, Math.PI), 1e-12);
        assertEquals(2.0 / 3, new GaussLegendre(2).integrate(x -> x * x, -1, 1), 1e-15);
    }
}
