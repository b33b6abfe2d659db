package dev.ldmforge.runtime.schedulers;

/** The few numpy float64 routines diffusers builds schedules with, reproduced to the last bit where it matters. */
final class Numpy {
    private Numpy() {
    }

    /** {@code np.linspace(start, stop, num)}: {@code start + i * step}, the last value exactly {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** {@code np.arange(start, stop, step)} for doubles: length {@code ceil((stop - start) / step)}. */
    static double[] arange(double start, double stop, double step) {
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[n];
        // numpy fills from the first two values: delta is (start + step) - start, not step itself
        double delta = (start + step) - start;
        for (int i = 0; i < n; i++) {
            out[i] = i == 0 ? start : i == 1 ? start + step : start + i * delta;
        }
        return out;
    }

    /** {@code np.round}: half to even. */
    static double[] round(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.rint(values[i]);
        }
        return out;
    }

    static double[] reversed(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[values.length - 1 - i];
        }
        return out;
    }

    /** {@code np.interp(x, arange(len(fp)), fp)}: linear interpolation on the integer grid, clamped at both ends. */
    static double interpOnIndex(double x, float[] fp) {
        if (x <= 0) {
            return fp[0];
        }
        int last = fp.length - 1;
        if (x >= last) {
            return fp[last];
        }
        int j = (int) Math.floor(x);
        double slope = (double) fp[j + 1] - fp[j];
        return slope * (x - j) + fp[j];
    }

    static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
