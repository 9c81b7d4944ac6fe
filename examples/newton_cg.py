"""Newton-CG on L2-regularised logistic regression, with Hessian-vector products only.

Newton's method solves H p = g at every step, where H is the Hessian of the
loss. Conjugate gradients (CG) solves that system touching H only through
products H @ v, and `s2s.hvp` gives exactly those products (forward mode over
the generated reverse-mode gradient), so the n x n Hessian is never built.
The example compares ten Newton-CG steps with ten steps of plain gradient
descent, counts how many gradient-descent steps it takes to reach the loss
Newton reaches, and first checks one CG solve against np.linalg.solve on the
Hessian that `s2s.hessian` forms explicitly (and against a hand-written one).

Run:  python examples/newton_cg.py
"""
import numpy as np

import s2s

LAM = 1e-2  # L2 strength: makes the Hessian positive definite


def loss(w, X, y):
    """Mean logistic loss log(1 + exp(-y x.w)), labels y in {-1, +1}, plus (LAM/2)|w|^2."""
    margins = y * (X @ w)
    data = np.mean(np.logaddexp(0.0, -margins))
    return data + 0.5 * LAM * np.sum(w * w)


grad = s2s.grad(loss)
hvp = s2s.hvp(loss)
hessian = s2s.hessian(loss)


def conjugate_gradients(w, X, y, b, tol=1e-12, max_iter=50):
    """Solve H(w) p = b by CG, with H(w) applied through s2s.hvp only."""
    p = np.zeros_like(b)
    r = b.copy()            # residual b - H p, with p = 0
    d = r.copy()
    rr = r @ r
    products = 0
    for _ in range(max_iter):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        Hd = hvp(w, X, y, d)
        products += 1
        alpha = rr / (d @ Hd)
        p += alpha * d
        r -= alpha * Hd
        rr_new = r @ r
        d = r + (rr_new / rr) * d
        rr = rr_new
    return p, products


def newton_step(w, X, y):
    """One Newton-CG step with a backtracking (Armijo) line search."""
    g = grad(w, X, y)
    p, products = conjugate_gradients(w, X, y, g)
    f0, t = loss(w, X, y), 1.0
    while loss(w - t * p, X, y) > f0 - 1e-4 * t * (g @ p) and t > 1e-8:
        t *= 0.5
    return w - t * p, products


def make_data(n=200, d=5):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d)) * np.array([3.0, 1.0, 1.0, 0.5, 0.2])
    X[:, -1] = 1.0  # an intercept column
    w_true = rng.normal(size=d)
    y = np.where(X @ w_true + 0.5 * rng.normal(size=n) > 0, 1.0, -1.0)
    return X, y


def main():
    X, y = make_data()
    n, d = X.shape
    w0 = np.zeros(d)

    # -- one check before iterating, at a point where the sigmoid is not flat:
    #    the CG / hvp solution against np.linalg.solve on the explicitly formed Hessian
    wc = np.linspace(-1.0, 1.0, d)
    H = hessian(wc, X, y)
    gc = grad(wc, X, y)
    p_cg, products = conjugate_gradients(wc, X, y, gc)
    p_dense = np.linalg.solve(H, gc)
    eig = np.linalg.eigvalsh(H)
    print(f"check at w = linspace(-1, 1, {d}): CG used {products} Hessian-vector products")
    print(f"  max |p_cg - solve(hessian, g)| = {np.max(np.abs(p_cg - p_dense)):.2e}")
    print(f"  Hessian symmetric to {np.max(np.abs(H - H.T)):.1e}, "
          f"eigenvalues in [{eig[0]:.3g}, {eig[-1]:.3g}]")
    s = 1.0 / (1.0 + np.exp(-(X @ wc)))  # by hand: H = X^T diag(s(1-s)) X / n + LAM I
    H_hand = (X.T * (s * (1 - s))) @ X / n + LAM * np.eye(d)
    print(f"  max |hessian - hand-written Hessian| = {np.max(np.abs(H - H_hand)):.2e}")

    # -- gradient descent with the step 1/L, L a bound on the largest Hessian eigenvalue
    L = 0.25 * np.linalg.norm(X, 2) ** 2 / n + LAM
    step = 1.0 / L

    steps = 10
    w_newton, w_gd = w0.copy(), w0.copy()
    print(f"\n{'':4}{'Newton-CG':>34}    {'gradient descent (step 1/L = %.3g)' % step:>34}")
    print(f"{'it':>4}{'loss':>20}{'|grad|':>12}{'hvps':>6}    {'loss':>20}{'|grad|':>12}")
    for it in range(steps + 1):
        fn, gn = loss(w_newton, X, y), np.linalg.norm(grad(w_newton, X, y))
        fg, gg = loss(w_gd, X, y), np.linalg.norm(grad(w_gd, X, y))
        used = "" if it == 0 else str(products)
        print(f"{it:>4}{fn:>20.15f}{gn:>12.2e}{used:>6}    {fg:>20.15f}{gg:>12.2e}")
        if it < steps:
            w_newton, products = newton_step(w_newton, X, y)
            w_gd = w_gd - step * grad(w_gd, X, y)

    # -- how long gradient descent takes to reach Newton's loss
    f_star = loss(w_newton, X, y)
    for target in (1e-4, 1e-8, 1e-12):
        w, k = w0.copy(), 0
        while loss(w, X, y) - f_star > target and k < 200_000:
            w = w - step * grad(w, X, y)
            k += 1
        newton_k = 0
        wn = w0.copy()
        while loss(wn, X, y) - f_star > target:
            wn, _ = newton_step(wn, X, y)
            newton_k += 1
        print(f"to get within {target:.0e} of Newton's final loss: "
              f"Newton-CG {newton_k} steps, gradient descent {k} steps")

    assert np.max(np.abs(p_cg - p_dense)) < 1e-8 and np.max(np.abs(H - H_hand)) < 1e-12
    assert np.linalg.norm(grad(w_newton, X, y)) < 1e-10


if __name__ == "__main__":
    main()
