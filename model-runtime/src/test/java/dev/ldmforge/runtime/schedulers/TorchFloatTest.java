package dev.ldmforge.runtime.schedulers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TorchFloatTest {
    @Test
    void expIsSleefsNotTheCorrectlyRoundedOne() {
        // torch 1.13 CPU: torch.exp(torch.tensor(-0.56543064)) = 0.5681155 (DPM-Solver's first step in the fixtures)
        assertEquals(0.5681155f, TorchFloat.exp(-0.56543064f));
        assertEquals(0.5681154f, (float) Math.exp(-0.56543064f));
        for (float x = -20f; x < 20f; x += 0.137f) {
            float ours = TorchFloat.exp(x);
            assertEquals(Math.exp(x), ours, Math.ulp(ours), "exp(" + x + ")");
        }
        assertEquals(0f, TorchFloat.exp(-200f));
        assertEquals(Float.POSITIVE_INFINITY, TorchFloat.exp(200f));
    }
}
