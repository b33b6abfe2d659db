/**
 * Diffusers 0.25.1 schedulers. A generation run looks like this (the pipeline's loop):
 *
 * <pre>{@code
 * SchedulerFactory factory = SchedulerFactory.of(JsonConfig.read(modelDir.resolve(
 *         "scheduler/scheduler_config.json")), request.scheduler());   // once per model and name
 * try (Scheduler s = factory.create(eta)) {                             // once per run
 *     float[] timesteps = s.setTimesteps(steps);
 *     List<Shape> draws = new ArrayList<>(List.of(latentShape));        // initial latents, then step noise
 *     for (int k = 0; k < timesteps.length; k++) if (s.drawsNoise(k)) draws.add(latentShape);
 *     Iterator<NDArray> noise = TorchGenerator.randn(seed, draws, manager).iterator();
 *     NDArray latents = noise.next().mul(s.initNoiseSigma());
 *     for (int k = 0; k < timesteps.length; k++) {
 *         NDArray eps = unet(s.scaleModelInput(latents, k), timesteps[k], ...);   // + guidance
 *         latents = s.step(eps, k, latents, noise::next).prevSample();
 *     }
 * }
 * }</pre>
 *
 * img2img starts at {@code Scheduler.img2imgStartIndex(steps, strength)} with {@code s.addNoise(latents, noise, start)}.
 */
package dev.ldmforge.runtime.schedulers;
