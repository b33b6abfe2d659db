package dev.ldmforge.runtime.schedulers;

import java.util.function.DoubleUnaryOperator;

/**
 * QUADPACK's 21-point Gauss–Kronrod rule ({@code dqk21}), evaluated in its order so that the sum rounds as in
 * {@code scipy.integrate.quad}, whose first pass is this rule. Exact for polynomials of degree <= 31; for smooth
 * integrands the 10-point Gauss estimate embedded in it bounds the error ({@link Result#error}).
 */
final class GaussKronrod21 {
    /** Kronrod nodes; odd indices (1, 3, ..., 9) are the 10-point Gauss nodes; the centre is 0. */
    private static final double[] XGK = {
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720};
    private static final double[] WGK = {
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077208814316840, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068};
    private static final double WGK_CENTRE = 0.149445554002916905664936468389821;
    private static final double[] WG = {
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338};

    private GaussKronrod21() {
    }

    /** @param error |Kronrod - Gauss| over the interval: an upper bound of the error for smooth integrands */
    record Result(double value, double error) {
    }

    static Result integrate(DoubleUnaryOperator f, double a, double b) {
        double centre = 0.5 * (a + b);
        double half = 0.5 * (b - a);
        double kronrod = WGK_CENTRE * f.applyAsDouble(centre);
        double gauss = 0;
        // the Gauss nodes first, then the others, as dqk21 sums them
        for (int j = 1; j < 10; j += 2) {
            double abscissa = half * XGK[j];
            double sum = f.applyAsDouble(centre - abscissa) + f.applyAsDouble(centre + abscissa);
            gauss += WG[j / 2] * sum;
            kronrod += WGK[j] * sum;
        }
        for (int j = 0; j < 10; j += 2) {
            double abscissa = half * XGK[j];
            kronrod += WGK[j] * (f.applyAsDouble(centre - abscissa) + f.applyAsDouble(centre + abscissa));
        }
        return new Result(kronrod * half, Math.abs((kronrod - gauss) * half));
    }
}
