package dev.ldmforge.runtime.weights;

/**
 * One diffusers tensor of an original checkpoint: part {@code part} of {@code parts} equal leading-dimension chunks
 * of {@code sourceKey}, seen with {@code info}'s key and shape (a rename is part 0 of 1; a 1x1 conv squeezed to a
 * matrix changes only the shape; a fused q/k/v projection is three parts), or with {@code transposed} the
 * transpose of a stored matrix.
 */
record MappedTensor(String sourceKey, TensorInfo info, int part, int parts, boolean transposed) {
}
