"""Fluid simulation: optimise the initial flow so that the smoke ends up in the shape of a target.

autograd's examples/fluidsim/fluidsim.py with its imports changed to s2s:
a semi-Lagrangian advection (bilinear interpolation with wrap-around
indices) and a Gauss-Seidel pressure projection that updates the velocities
with `-=`, run for a number of time steps; the objective is a closure that
unpacks a parameter vector into the two initial velocity fields, and
`scipy.optimize.minimize` gets `value_and_grad(objective)` with `jac=True`.
The images of the original are replaced by synthetic ones (a disc of smoke,
a ring as the target), and the plots by text.

Fluid simulation code based on
"Real-Time Fluid Dynamics for Games" by Jos Stam
https://www.josstam.com/_files/ugd/cf1fd6_9989229efbd34a26ba5ccd913721a2ac.pdf

Run:  python examples/fluidsim.py [--small]
"""
import sys

from scipy.optimize import minimize

import numpy as np
from s2s import value_and_grad


def project(vx, vy):
    """Project the velocity field to be approximately mass-conserving,
    using a few iterations of Gauss-Seidel."""
    p = np.zeros(vx.shape)
    h = 1.0 / vx.shape[0]
    div = (
        -0.5
        * h
        * (
            np.roll(vx, -1, axis=0)
            - np.roll(vx, 1, axis=0)
            + np.roll(vy, -1, axis=1)
            - np.roll(vy, 1, axis=1)
        )
    )

    for k in range(10):
        p = (
            div
            + np.roll(p, 1, axis=0)
            + np.roll(p, -1, axis=0)
            + np.roll(p, 1, axis=1)
            + np.roll(p, -1, axis=1)
        ) / 4.0

    vx -= 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy -= 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """Move field f according to x and y velocities (u and v)
    using an implicit Euler integrator."""
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols))
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()

    # Compute indices of source cells.
    left_ix = np.floor(center_xs).astype(int)
    top_ix = np.floor(center_ys).astype(int)
    rw = center_xs - left_ix  # Relative weight of right-hand cells.
    bw = center_ys - top_ix  # Relative weight of bottom cells.
    left_ix = np.mod(left_ix, rows)  # Wrap around edges of simulation.
    right_ix = np.mod(left_ix + 1, rows)
    top_ix = np.mod(top_ix, cols)
    bot_ix = np.mod(top_ix + 1, cols)

    # A linearly-weighted sum of the 4 surrounding cells.
    flat_f = (1 - rw) * ((1 - bw) * f[left_ix, top_ix] + bw * f[left_ix, bot_ix]) + rw * (
        (1 - bw) * f[right_ix, top_ix] + bw * f[right_ix, bot_ix]
    )
    return np.reshape(flat_f, (rows, cols))


def simulate(vx, vy, smoke, num_time_steps, ax=None, render=False):
    print("Running simulation...")
    for t in range(num_time_steps):
        if ax:
            plot_matrix(ax, smoke, t, render)
        vx_updated = advect(vx, vx, vy)
        vy_updated = advect(vy, vx, vy)
        vx, vy = project(vx_updated, vy_updated)
        smoke = advect(smoke, vx, vy)
    if ax:
        plot_matrix(ax, smoke, num_time_steps, render)
    return smoke


def plot_matrix(ax, mat, t, render=False):
    """Write the field to the text stream `ax`: every frame if `render`, else only a summary line."""
    if not render:
        print(f"step {t:3d}: total smoke {np.sum(mat):.3f}", file=ax)
        return
    shades = " .:-=+*#%@"
    scaled = np.clip(mat / max(np.max(mat), 1e-12), 0, 1) * (len(shades) - 1)
    print(f"step {t}:", file=ax)
    for row in np.rint(scaled).astype(int):
        print("  " + "".join(shades[k] * 2 for k in row), file=ax)


def smoke_images(rows, cols):
    """A disc of smoke low in the frame, and a ring in the middle as the target."""
    ys, xs = np.meshgrid(np.linspace(-1, 1, rows), np.linspace(-1, 1, cols), indexing="ij")
    init_smoke = np.exp(-((xs / 0.35) ** 2 + ((ys - 0.45) / 0.35) ** 2))
    radius = np.sqrt(xs**2 + (ys + 0.1) ** 2)
    target = np.exp(-(((radius - 0.5) / 0.15) ** 2)) * 0.6
    return init_smoke, target


def main(small=False):
    """Optimise; return (objective, init_dx_and_dy, result, objective values per iteration)."""
    simulation_timesteps = 6 if small else 100

    print("Making initial and target states...")
    init_smoke, target = smoke_images(*((10, 10) if small else (50, 50)))
    rows, cols = target.shape

    init_dx_and_dy = np.zeros((2, rows, cols)).ravel()

    def distance_from_target_image(smoke):
        return np.mean((target - smoke) ** 2)

    def convert_param_vector_to_matrices(params):
        vx = np.reshape(params[: (rows * cols)], (rows, cols))
        vy = np.reshape(params[(rows * cols) :], (rows, cols))
        return vx, vy

    def objective(params):
        init_vx, init_vy = convert_param_vector_to_matrices(params)
        final_smoke = simulate(init_vx, init_vy, init_smoke, simulation_timesteps)
        return distance_from_target_image(final_smoke)

    # Specify gradient of objective function using s2s.
    objective_with_grad = value_and_grad(objective)

    values = [objective(init_dx_and_dy)]
    print(f"distance from the target: {values[0]:.6f} (no initial flow)")

    def callback(params):
        values.append(objective(params))
        print(f"distance from the target: {values[-1]:.6f}")

    print("Optimizing initial conditions...")
    result = minimize(
        objective_with_grad,
        init_dx_and_dy,
        jac=True,
        method="CG",
        options={"maxiter": 8 if small else 25, "disp": True},
        callback=callback,
    )

    print("Rendering optimized flow...")
    init_vx, init_vy = convert_param_vector_to_matrices(result.x)
    print("target:")
    plot_matrix(sys.stdout, target, 0, render=True)
    simulate(init_vx, init_vy, init_smoke, simulation_timesteps, sys.stdout, render=True)
    return objective, init_dx_and_dy, result, values


if __name__ == "__main__":
    main(small="--small" in sys.argv[1:])
