package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.ScaledDotProductAttention;
import dev.ldmforge.runtime.nn.Scope;

/**
 * diffusers' {@code Attention} with its default processor: {@code to_q}, {@code to_k}, {@code to_v}, all heads in one
 * batched matmul, {@code to_out.0}. The UNet's transformer blocks use it on tokens without q/k/v biases (the block
 * adds the residual); the VAE's mid block uses {@link #spatial}: biases, a {@code group_norm}, one head over the
 * pixels and its own residual.
 */
public final class Attention {

    /**
     * How scores are computed. {@code upcastScores}: q·kᵀ and softmax in float32 (config {@code upcast_attention};
     * always done for float16 inputs). {@code queryChunk}: queries per chunk to bound the score matrix's memory
     * (0 = all at once); the result does not depend on it.
     */
    public record Options(boolean upcastScores, int queryChunk) {
        public static final Options DEFAULT = new Options(false, 0);

        public Options {
            if (queryChunk < 0) {
                throw new IllegalArgumentException("queryChunk must be >= 0, was " + queryChunk);
            }
        }
    }

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final GroupNorm groupNorm;
    private final int heads;
    private final Options options;

    public Attention(Scope scope, long queryDim, long contextDim, int heads, long headDim, boolean qkvBias,
            Options options) {
        this(scope, queryDim, contextDim, heads, headDim, qkvBias, null, options);
    }

    private Attention(Scope scope, long queryDim, long contextDim, int heads, long headDim, boolean qkvBias,
            GroupNorm groupNorm, Options options) {
        long inner = heads * headDim;
        this.groupNorm = groupNorm;
        this.toQ = new Linear(scope.child("to_q"), queryDim, inner, qkvBias);
        this.toK = new Linear(scope.child("to_k"), contextDim, inner, qkvBias);
        this.toV = new Linear(scope.child("to_v"), contextDim, inner, qkvBias);
        this.toOut = new Linear(scope.child("to_out").child(0), inner, queryDim, true);
        this.heads = heads;
        this.options = options;
    }

    /** The VAE mid-block attention: group norm, single head of {@code channels}, biases, residual. */
    public static Attention spatial(Scope scope, long channels, int groups, double eps, Options options) {
        GroupNorm norm = new GroupNorm(scope.child("group_norm"), groups, channels, eps);
        return new Attention(scope, channels, channels, 1, channels, true, norm, options);
    }

    /**
     * @param hidden  [B, L, queryDim]
     * @param context [B, Lk, contextDim], or null for self-attention
     * @return [B, L, queryDim]
     */
    public NDArray forward(NDArray hidden, NDArray context) {
        NDArray source = context == null ? hidden : context;
        NDArray attended = attend(toQ.forward(hidden), toK.forward(source), toV.forward(source));
        return toOut.forward(attended);
    }

    /** Self-attention over the pixels of x [B, C, H, W], plus x (needs {@link #spatial}). */
    public NDArray forwardImage(NDArray x) {
        return Intermediates.freedAfter(() -> {
            Shape s = x.getShape();
            NDArray tokens = groupNorm.forward(x).reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1);
            return forward(tokens, null).transpose(0, 2, 1).reshape(s).add(x);
        }, x);
    }

    private NDArray attend(NDArray q, NDArray k, NDArray v) {
        return Intermediates.freedAfter(() -> {
            DataType dtype = q.getDataType();
            boolean upcast = (options.upcastScores() || dtype == DataType.FLOAT16) && dtype != DataType.FLOAT32;
            NDArray q32 = upcast ? q.toType(DataType.FLOAT32, false) : q;
            NDArray k32 = upcast ? k.toType(DataType.FLOAT32, false) : k;
            NDArray v32 = upcast ? v.toType(DataType.FLOAT32, false) : v;
            long queries = q.getShape().get(1);
            int chunk = options.queryChunk();
            NDArray out;
            if (chunk == 0 || chunk >= queries) {
                out = ScaledDotProductAttention.attend(q32, k32, v32, heads, null);
            } else {
                NDList parts = new NDList();
                for (long start = 0; start < queries; start += chunk) {
                    NDArray qc = q32.get(new NDIndex(":, {}:{}", start, Math.min(queries, start + chunk)));
                    parts.add(Intermediates.freedAfter(
                            () -> ScaledDotProductAttention.attend(qc, k32, v32, heads, null), qc, k32, v32));
                }
                out = NDArrays.concat(parts, 1);
            }
            return upcast ? out.toType(dtype, false) : out;
        }, q, k, v);
    }
}
