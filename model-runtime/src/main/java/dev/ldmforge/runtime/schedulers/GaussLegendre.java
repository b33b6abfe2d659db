package dev.ldmforge.runtime.schedulers;

import java.util.function.DoubleUnaryOperator;

/**
 * Gauss–Legendre quadrature: exact for polynomials of degree < 2n, and spectrally accurate for smooth integrands.
 * Nodes are the roots of P_n found by Newton's method from Chebyshev guesses.
 */
final class GaussLegendre {
    private final double[] nodes;
    private final double[] weights;

    GaussLegendre(int n) {
        nodes = new double[n];
        weights = new double[n];
        for (int i = 0; i < n; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iter = 0; iter < 100; iter++) {
                // P_n(x) and P_n'(x) by the three-term recurrence
                double p0 = 1;
                double p1 = x;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                double pn = n == 1 ? x : p1;
                double pnMinus1 = n == 1 ? 1 : p0;
                derivative = n * (x * pn - pnMinus1) / (x * x - 1);
                double dx = pn / derivative;
                x -= dx;
                if (Math.abs(dx) < 1e-16) {
                    break;
                }
            }
            nodes[i] = x;
            weights[i] = 2 / ((1 - x * x) * derivative * derivative);
        }
    }

    double integrate(DoubleUnaryOperator f, double a, double b) {
        double half = (b - a) / 2;
        double mid = (a + b) / 2;
        double sum = 0;
        for (int i = 0; i < nodes.length; i++) {
            sum += weights[i] * f.applyAsDouble(mid + half * nodes[i]);
        }
        return sum * half;
    }
}
