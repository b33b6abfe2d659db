package dev.ldmforge.runtime.demo;

/** Counts of judged images and of those right in colour, background, shape, and all three. */
public record Accuracy(int images, int colour, int background, int shape, int all) {
    public static final Accuracy NONE = new Accuracy(0, 0, 0, 0, 0);

    /** These counts plus one image judged {@code judgement} that should show {@code expected}. */
    public Accuracy plus(Judgement judgement, ShapeScene expected) {
        return new Accuracy(images + 1,
                colour + (judgement.colourMatches(expected) ? 1 : 0),
                background + (judgement.backgroundMatches(expected) ? 1 : 0),
                shape + (judgement.shapeMatches(expected) ? 1 : 0),
                all + (judgement.matches(expected) ? 1 : 0));
    }

    public double colourAccuracy() {
        return rate(colour);
    }

    public double backgroundAccuracy() {
        return rate(background);
    }

    public double shapeAccuracy() {
        return rate(shape);
    }

    public double allAccuracy() {
        return rate(all);
    }

    private double rate(int right) {
        return images == 0 ? 0 : (double) right / images;
    }
}
