"""Gauss-Newton-vector products G v = J^T H_L J v from jvp, hvp and vjp.

For a loss L(net(theta)), the Gauss-Newton matrix G = J^T H_L J (J the
Jacobian of the network outputs z with respect to the parameters theta, H_L
the Hessian of the loss with respect to z) is the positive semidefinite part
of the Hessian that second-order optimisers (K-FAC, Hessian-free) use. G v
needs no matrix: push v forward through the network (u = J v, one jvp), apply
the loss curvature (w = H_L u, one hvp in z), and pull back (J^T w, one vjp).
The example checks that against G formed from s2s.jacobian and s2s.hessian,
and checks that G is symmetric positive semidefinite.

Run:  python examples/gauss_newton.py
"""
import numpy as np

import s2s

N_IN, N_HID, N_OUT, BATCH = 3, 4, 3, 5
# theta = [W1 (N_IN*N_HID), b1 (N_HID), W2 (N_HID*N_OUT), b2 (N_OUT)]
N_PARAMS = N_IN * N_HID + N_HID + N_HID * N_OUT + N_OUT


def net(theta, X):
    """One tanh hidden layer; returns the (BATCH * N_OUT,) flattened logits."""
    W1 = theta[0:12].reshape(3, 4)
    b1 = theta[12:16]
    W2 = theta[16:28].reshape(4, 3)
    b2 = theta[28:31]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    return logits.reshape(15)


def loss(z, Y):
    """Mean softmax cross-entropy of the flattened logits z against one-hot rows Y."""
    Z = z.reshape(5, 3)
    lse = np.log(np.sum(np.exp(Z), axis=1))  # no max shift needed: the logits here are O(1)
    return np.mean(lse - np.sum(Y * Z, axis=1))


forward = s2s.jvp(net, wrt=0)       # (theta, X, v) -> (z, J v)
curvature = s2s.hvp(loss, wrt=0)    # (z, Y, u) -> H_L u
backward = s2s.vjp(net, wrt=0)      # (theta, X, w) -> J^T w


def gauss_newton_vector_product(theta, X, Y, v):
    z, u = forward(theta, X, v)
    w = curvature(z, Y, u)
    return backward(theta, X, w)


def main():
    assert N_PARAMS == 31 and N_IN * N_HID == 12  # the literal slices in net()
    rng = np.random.default_rng(0)
    theta = rng.normal(size=N_PARAMS)
    X = rng.normal(size=(BATCH, N_IN))
    Y = np.eye(N_OUT)[rng.integers(0, N_OUT, size=BATCH)]

    z = net(theta, X)
    J = s2s.jacobian(net, wrt=0)(theta, X)        # (BATCH * N_OUT, N_PARAMS)
    H_L = s2s.hessian(loss, wrt=0)(z, Y)          # (BATCH * N_OUT, BATCH * N_OUT)
    G = J.T @ H_L @ J
    print(f"theta has {N_PARAMS} entries, z has {z.size}; J {J.shape}, H_L {H_L.shape}, G {G.shape}")

    # independent checks of the two explicit factors
    eps = 1e-6
    J_fd = np.stack([(net(theta + eps * e, X) - net(theta - eps * e, X)) / (2 * eps)
                     for e in np.eye(N_PARAMS)], axis=1)
    P = np.exp(z.reshape(BATCH, N_OUT))
    P = P / P.sum(axis=1, keepdims=True)
    H_hand = np.zeros((z.size, z.size))
    for i in range(BATCH):
        block = slice(i * N_OUT, (i + 1) * N_OUT)
        H_hand[block, block] = (np.diag(P[i]) - np.outer(P[i], P[i])) / BATCH
    print(f"max |J - central differences|     = {np.max(np.abs(J - J_fd)):.2e}")
    print(f"max |H_L - softmax Hessian by hand| = {np.max(np.abs(H_L - H_hand)):.2e}")

    worst = 0.0
    for k in range(5):
        v = rng.normal(size=N_PARAMS)
        Gv = gauss_newton_vector_product(theta, X, Y, v)
        rel = np.linalg.norm(Gv - G @ v) / np.linalg.norm(G @ v)
        worst = max(worst, rel)
        print(f"v #{k}: |Gv| = {np.linalg.norm(Gv):.4f}, "
              f"|Gv - (J^T H_L J) v| / |(J^T H_L J) v| = {rel:.2e}")
    print(f"max relative error over the vectors: {worst:.2e}")

    # the matrix-free product, column by column, is the same G
    G_mf = np.stack([gauss_newton_vector_product(theta, X, Y, e) for e in np.eye(N_PARAMS)], axis=1)
    print(f"max |G from products - J^T H_L J| = {np.max(np.abs(G_mf - G)):.2e}")

    eig = np.linalg.eigvalsh(G)
    print(f"G symmetric: max |G - G^T| = {np.max(np.abs(G - G.T)):.2e}")
    print(f"G eigenvalues: smallest {eig[0]:.3e}, largest {eig[-1]:.3e}, "
          f"rank {np.sum(eig > 1e-10 * eig[-1])} (at most BATCH * (N_OUT - 1) = {BATCH * (N_OUT - 1)})")
    print(f"G positive semidefinite (smallest eigenvalue >= -1e-10): {eig[0] >= -1e-10}")

    assert worst < 1e-10 and eig[0] >= -1e-10
    assert np.max(np.abs(G_mf - G)) < 1e-10 and np.max(np.abs(H_L - H_hand)) < 1e-12


if __name__ == "__main__":
    main()
