package dev.ldmforge.runtime.schedulers;

/** {@code timestep_spacing}: how inference timesteps are spread over the training ones (Lin et al. 2023, table 2). */
public enum TimestepSpacing {
    LEADING("leading"), TRAILING("trailing"), LINSPACE("linspace");

    private final String configName;

    TimestepSpacing(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static TimestepSpacing parse(String configName) {
        for (TimestepSpacing s : values()) {
            if (s.configName.equals(configName)) {
                return s;
            }
        }
        throw new IllegalArgumentException(configName);
    }

    /**
     * The descending timesteps of DDIM, DDPM, Euler and LMS for {@code n} inference steps out of {@code trainSteps}.
     * Euler-style schedulers keep linspace values fractional ({@code roundLinspace} false); the others round them.
     */
    double[] timesteps(int trainSteps, int n, int stepsOffset, boolean roundLinspace) {
        return switch (this) {
            case LEADING -> {
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = (double) (n - 1 - i) * (trainSteps / n) + stepsOffset;
                }
                yield t;
            }
            case TRAILING -> {
                double[] t = Numpy.round(Numpy.arange(trainSteps, 0, -(double) trainSteps / n));
                for (int i = 0; i < t.length; i++) {
                    t[i] -= 1;
                }
                yield t;
            }
            case LINSPACE -> {
                double[] t = Numpy.linspace(0, trainSteps - 1, n);
                yield Numpy.reversed(roundLinspace ? Numpy.round(t) : t);
            }
        };
    }
}
