package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The last few arrays a multistep scheduler keeps between steps (PNDM's ets, LMS derivatives, DPM-Solver model
 * outputs), owned by a manager of their own so that the caller may free its per-step arrays.
 */
final class History implements AutoCloseable {
    private final int capacity;
    private final Deque<NDArray> items = new ArrayDeque<>();
    private NDManager manager;

    History(int capacity) {
        this.capacity = capacity;
    }

    /** Takes ownership of {@code array} and returns it; the oldest entry beyond capacity is freed. */
    NDArray add(NDArray array) {
        if (manager == null) {
            manager = array.getManager().getEngine().newBaseManager(array.getDevice());
        }
        array.attach(manager);
        items.addLast(array);
        if (items.size() > capacity) {
            items.removeFirst().close();
        }
        return array;
    }

    /** The entry {@code k} places before the newest (0 is the newest). */
    NDArray fromLast(int k) {
        Iterator<NDArray> it = items.descendingIterator();
        for (int i = 0; i < k; i++) {
            it.next();
        }
        return it.next();
    }

    int size() {
        return items.size();
    }

    List<NDArray> all() {
        return List.copyOf(items);
    }

    void clear() {
        items.forEach(NDArray::close);
        items.clear();
    }

    @Override
    public void close() {
        clear();
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}
