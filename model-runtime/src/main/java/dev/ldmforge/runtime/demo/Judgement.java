package dev.ldmforge.runtime.demo;

/**
 * What {@link DemoJudge} reads in a picture; a field is null when the picture does not show it (e.g. no shape).
 */
public record Judgement(DemoShape shape, DemoColour colour, DemoColour background) {

    public boolean shapeMatches(ShapeScene expected) {
        return shape == expected.shape();
    }

    public boolean colourMatches(ShapeScene expected) {
        return colour == expected.colour();
    }

    public boolean backgroundMatches(ShapeScene expected) {
        return background == expected.background();
    }

    /** Shape, colour and background all as the caption asks. */
    public boolean matches(ShapeScene expected) {
        return shapeMatches(expected) && colourMatches(expected) && backgroundMatches(expected);
    }
}
