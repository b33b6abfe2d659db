package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;

/**
 * diffusers' {@code FeedForward} with the GEGLU activation, as SD's transformer blocks use it: {@code net.0.proj}
 * projects to twice the inner width (4·dim), one half gates the other through the exact (erf) GELU, {@code net.2}
 * projects back. ({@code net.1} is dropout, which has no weights.)
 */
public final class FeedForward {
    private final Linear gegluProj;
    private final Linear out;

    public FeedForward(Scope scope, long dim) {
        long inner = 4 * dim;
        Scope net = scope.child("net");
        this.gegluProj = new Linear(net.child(0).child("proj"), dim, 2 * inner, true);
        this.out = new Linear(net.child(2), inner, dim, true);
    }

    public NDArray forward(NDArray x) {
        NDArray projected = gegluProj.forward(x);
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        return out.forward(Activation.gelu(halves.get(1)).muli(halves.get(0)));
    }
}
