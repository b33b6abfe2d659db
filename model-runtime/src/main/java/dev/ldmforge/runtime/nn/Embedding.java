package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;

/** {@code torch.nn.Embedding}: weight [count, dim]; looks up rows by integer id. */
public final class Embedding {
    private final Parameter weight;

    public Embedding(Scope scope, long count, long dim) {
        this.weight = scope.declare("weight", count, dim);
    }

    /** ids of any shape -> [..., dim], in the ids' manager. */
    public NDArray forward(NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight.array(), SparseFormat.DENSE).singletonOrThrow();
    }

    /** Rows 0 .. n-1 (what a lookup of 0, 1, ..., n-1 gives, without the gather), in {@code like}'s manager. */
    public NDArray firstRows(long n, NDArray like) {
        return weight.array().get(like.getManager(), new NDIndex(":{}", n));
    }
}
