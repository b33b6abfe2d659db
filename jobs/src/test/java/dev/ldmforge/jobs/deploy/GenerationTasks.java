package dev.ldmforge.jobs.deploy;

import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows a generate job's generation-stage tasks on a cluster: who finished one first, whether it has started
 * another since (the moment to kill it mid-task), and how many tasks were lost with an executor.
 */
final class GenerationTasks extends SparkListener {
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> latestTask = new ConcurrentHashMap<>();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile String firstFinisher;
    private volatile long firstFinished;

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
        String description = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
        if (description != null && description.startsWith("ldmforge generate: generate ")) {
            stages.add(e.stageInfo().stageId());
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        if (stages.contains(e.stageId())) {
            latestTask.put(e.taskInfo().executorId(), e.taskInfo().taskId());
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        if (stages.contains(e.stageId()) && e.reason() instanceof ExecutorLostFailure) {
            lost.incrementAndGet();
        }
        if (stages.contains(e.stageId()) && "ResultTask".equals(e.taskType()) && e.taskInfo().successful()
                && firstFinisher == null) {
            firstFinished = e.taskInfo().taskId();
            firstFinisher = e.taskInfo().executorId();
        }
    }

    /** The executor that finished the first generation task, once it runs a later one; else null. */
    String busyAgainAfterFirstFinish() {
        String executor = firstFinisher;
        return executor != null && latestTask.getOrDefault(executor, -1L) > firstFinished ? executor : null;
    }

    /** Generation tasks that failed because their executor was lost. */
    int lostTasks() {
        return lost.get();
    }
}
