"""SciPy with s2s: what its rules refuse (in both modes), library functions without a rule, the
Dirichlet density on the simplex, standalone modules, and s2s without SciPy.

The rules themselves are checked against finite differences with the other rules
(tests/rulecases_scipy.py, run by tests/test_rules.py, also to second order).
"""
import functools
import subprocess
import sys

import numpy as np
import pytest

import s2s
from s2s.errors import NoRuleError, UnsupportedError
from oracles import numerical_grad

scipy = pytest.importorskip("scipy")
import scipy.integrate  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.special as sp  # noqa: E402
import scipy.stats  # noqa: E402
from scipy.stats import norm  # noqa: E402

MODES = [pytest.param(s2s.grad, id="grad"), pytest.param(s2s.jvp, id="jvp")]


def _line(fn, text):
    """The file line of the first line of `fn`'s source that contains `text`."""
    import inspect
    lines, first = inspect.getsourcelines(fn)
    return first + next(k for k, line in enumerate(lines) if text in line)


# ---- library functions without a rule: named, at the user's line, with a rule to register ------------------

def uses_a_special_function_without_rule(x):
    return np.sum(sp.spherical_jn(1, x))


def uses_a_library_function_without_rule(x):
    y = x * 2.0
    return scipy.stats.entropy(y)


def uses_a_distribution_method_without_rule(x):
    return np.sum(norm.ppf(x))


@pytest.mark.parametrize("make", MODES)
@pytest.mark.parametrize("fn, called, name", [
    (uses_a_special_function_without_rule, "sp.spherical_jn", "scipy.special.spherical_jn"),
    (uses_a_library_function_without_rule, "scipy.stats.entropy", "scipy.stats.entropy"),
    (uses_a_distribution_method_without_rule, "norm.ppf", "norm.ppf"),
])
def test_library_function_without_rule_is_named_at_the_call(make, fn, called, name):
    with pytest.raises(NoRuleError) as info:
        make(fn)
    error = info.value
    assert error.location is not None and error.location.filename.endswith("test_scipy.py")
    assert error.location.line == _line(fn, called)
    assert f"`{name}`" in error.message
    assert error.hint.startswith(f"register one: `s2s.rule({name}, ") and "decorator" not in str(error)


_SAMPLE = np.array([0.1, 0.5, -0.3, 1.2])


def kernel_density(x):
    return np.sum(scipy.stats.gaussian_kde(_SAMPLE).logpdf(x))


@pytest.mark.parametrize("make", MODES)
def test_a_method_without_rule_gets_a_method_rule_to_register(make):
    """A `.logpdf()` of an object s2s knows nothing of (a kernel density estimate) is a method of a
    value: the hint registers a method rule. (A frozen distribution, `norm(m, s).logpdf(x)`, is
    differentiated: tests/corpus_issue10_frozen.py.)"""
    with pytest.raises(NoRuleError, match=r"no derivative rule for `\.logpdf\(\)`") as info:
        make(kernel_density)
    assert info.value.location.line == _line(kernel_density, "gaussian_kde(_SAMPLE)")
    assert 's2s.rule(method="logpdf", args="self, x", x="g * ...")' in info.value.hint


def test_a_library_function_itself_is_refused_with_a_rule_to_register():
    with pytest.raises(UnsupportedError, match=r"`scipy\.stats\.entropy` is a function of scipy") as info:
        s2s.grad(scipy.stats.entropy)
    assert "s2s.rule(scipy.stats.entropy, pk=" in info.value.hint


def _decorate(f):
    @functools.wraps(f)
    def inner(*args):
        return f(*args)
    return inner


@_decorate
def decorated(x):
    return x * 3.0


def calls_decorated(x):
    return decorated(x) + 1.0


def test_a_users_unknown_decorator_is_refused_at_the_decorator():
    with pytest.raises(UnsupportedError, match="has a decorator s2s does not know") as info:
        s2s.grad(calls_decorated)
    assert info.value.location.line == _line(decorated, "@_decorate") - 0
    assert info.value.location.text.strip() == "@_decorate"


# ---- refusals, both modes -----------------------------------------------------------------------------------

def polygamma_of_active_order(x):
    return sp.polygamma(x, 2.0)


def logsumexp_with_sign(x):
    return sp.logsumexp(x, return_sign=True)[0]


def poisson_of_active_counts(x):
    return np.sum(scipy.stats.poisson.logpmf(x, 2.0))


def triangular_overwriting(a, b):
    return np.sum(scipy.linalg.solve_triangular(a, b, overwrite_b=True))


def cholesky_overwriting(a):
    return np.sum(scipy.linalg.cholesky(a, overwrite_a=True))


def gammainc_of_active_shape(a):
    return np.sum(sp.gammainc(a, 2.0))


def betainc_of_active_shape(b):
    return np.sum(sp.betainc(1.5, b, 0.3))


def bessel_of_active_order(v):
    return sp.jv(v, 2.0) + sp.yn(2, v)


def t_cdf_of_active_df(df):
    return np.sum(scipy.stats.t.cdf(np.array([0.5, 1.0]), df))


def poisson_cdf_of_active_counts(k):
    return np.sum(scipy.stats.poisson.cdf(k, 2.0))


def banded_of_active_bandwidths(n):
    return np.sum(scipy.linalg.solve_banded((n, 1), np.ones((3, 3)), np.ones(3)))


def convolve_with_autograds_axes(a, b):
    return np.sum(scipy.signal.convolve(a, b, axes=([0], [0])))


def _decay(y, t, k):
    return -k * y


def ode_of_active_initial_value(y0):
    return np.sum(scipy.integrate.odeint(_decay, y0, np.linspace(0.0, 1.0, 5), args=(0.5,)))


def ode_of_active_parameters(k):
    return np.sum(scipy.integrate.odeint(_decay, np.ones(2), np.linspace(0.0, 1.0, 5), args=(k,)))


_ODE = "s2s does not differentiate through an ODE solver"


@pytest.mark.parametrize("make", MODES)
@pytest.mark.parametrize("fn, message", [
    (polygamma_of_active_order, "no derivative of `sp.polygamma` with respect to its argument `n`"),
    (gammainc_of_active_shape, "no derivative of `sp.gammainc` with respect to its argument `a`"),
    (betainc_of_active_shape, "no derivative of `sp.betainc` with respect to its argument `b`"),
    (bessel_of_active_order, "no derivative of `sp.jv` with respect to its argument `v`"),
    (t_cdf_of_active_df, "no derivative of `scipy.stats.t.cdf` with respect to its argument `df`"),
    (poisson_cdf_of_active_counts, "no derivative of `scipy.stats.poisson.cdf` with respect to its argument `k`"),
    (banded_of_active_bandwidths, "with respect to its argument `l_and_u`"),
    (convolve_with_autograds_axes, "got an unexpected keyword argument 'axes'"),
    (ode_of_active_initial_value, "no derivative of `scipy.integrate.odeint` with respect to its argument `y0`"),
    (ode_of_active_parameters, "no derivative of `scipy.integrate.odeint` with respect to its argument `args`"),
    (logsumexp_with_sign, "only with return_sign=False"),
    (poisson_of_active_counts, "with respect to its argument `k`"),
    (triangular_overwriting, "only with overwrite_b=False"),
    (cholesky_overwriting, "only with overwrite_a=False"),
])
def test_refused_when_the_derivative_is_built(make, fn, message):
    with pytest.raises(UnsupportedError, match=message) as info:
        make(fn)
    assert info.value.location is not None and info.value.location.filename.endswith("test_scipy.py")


@pytest.mark.parametrize("make", MODES)
def test_odeint_refusal_says_why_and_what_to_do_instead(make):
    with pytest.raises(UnsupportedError) as info:
        make(ode_of_active_parameters)
    assert _ODE in info.value.hint and "adjoint ODE" in info.value.hint
    assert "write the integrator's steps in Python" in info.value.hint


def ode_times_a_parameter(x):
    return x * np.sum(scipy.integrate.odeint(_decay, np.ones(2), np.linspace(0.0, 1.0, 5), args=(0.5,)))


def test_odeint_of_constants_is_a_constant():
    """Nothing differentiated flows into odeint: its result is a constant factor (against the closed form)."""
    t = np.linspace(0.0, 1.0, 5)
    assert s2s.grad(ode_times_a_parameter)(1.3) == pytest.approx(2 * np.sum(np.exp(-0.5 * t)), rel=1e-6)
    assert s2s.jvp(ode_times_a_parameter)(1.3, 2.0)[1] == pytest.approx(4 * np.sum(np.exp(-0.5 * t)), rel=1e-6)


def sqrtm_sum(a):
    return np.sum(scipy.linalg.sqrtm(a))


@pytest.mark.parametrize("make", MODES)
def test_a_complex_matrix_square_root_is_refused_when_run(make):
    """A real matrix with a negative eigenvalue has a complex square root: refused, not cast to real."""
    a = np.array([[1.0, 2.0], [2.0, 1.0]])   # eigenvalues 3 and -1
    assert np.iscomplexobj(scipy.linalg.sqrtm(a))
    with pytest.raises(s2s.ComplexValueError, match="sqrtm returned a complex square root"):
        make(sqrtm_sum)(a, *([np.eye(2)] if make is s2s.jvp else []))


# ---- Dirichlet with all K components: exact along the simplex -----------------------------------------------

def dirichlet_full(x, alpha):
    return scipy.stats.dirichlet.logpdf(x, alpha)


def test_dirichlet_on_the_simplex_matches_finite_differences():
    x, alpha = np.array([0.2, 0.3, 0.1, 0.4]), np.array([1.5, 0.7, 2.0, 3.0])
    t = np.array([0.3, -0.1, 0.2, -0.4])   # sums to 0: stays on the simplex
    h = 1e-6
    expected = (dirichlet_full(x + h * t, alpha) - dirichlet_full(x - h * t, alpha)) / (2 * h)
    gx, galpha = s2s.grad(dirichlet_full, wrt=(0, 1))(x, alpha)
    assert float(gx @ t) == pytest.approx(expected, rel=1e-6)
    _, tangent = s2s.jvp(dirichlet_full)(x, alpha, t)
    assert tangent == pytest.approx(expected, rel=1e-6)
    u = np.array([0.2, -0.5, 0.1, 0.3])
    by_alpha = (dirichlet_full(x, alpha + h * u) - dirichlet_full(x, alpha - h * u)) / (2 * h)
    assert float(galpha @ u) == pytest.approx(by_alpha, rel=1e-6)


# ---- generated code: imports SciPy where a rule calls it; standalone modules too -----------------------------

def log_gamma_density(x, a):
    return np.sum(scipy.stats.gamma.logpdf(x, a))


def test_generated_code_imports_the_scipy_modules_it_calls():
    df = s2s.grad(log_gamma_density, wrt=1)
    assert "import scipy.special\n" in s2s.source(df)
    x, a = np.array([0.5, 1.5, 2.5]), 1.7
    assert df(x, a) == pytest.approx(np.sum(np.log(x)) - 3 * sp.digamma(a), rel=1e-12)


def test_a_standalone_module_imports_scipy():
    from s2s.standalone import render
    df = s2s.grad(log_gamma_density, wrt=1)
    text = render(s2s.api.generated(df), command="s2s grad test_scipy.py:log_gamma_density --wrt a")
    assert "import scipy.special\n" in text
    namespace: dict = {}
    exec(compile(text, "<standalone>", "exec"), namespace)
    x = np.array([0.5, 1.5, 2.5])
    assert namespace["grad_log_gamma_density"](x, 1.7) == pytest.approx(np.sum(np.log(x)) - 3 * sp.digamma(1.7))


# ---- without SciPy -------------------------------------------------------------------------------------------

def test_s2s_imports_and_works_without_scipy(tmp_path):
    """s2s never imports SciPy (`import scipy.stats` is slow): its rules register once the program
    imports it. Without it, s2s works and has no SciPy rules."""
    (tmp_path / "no_scipy.py").write_text(
        "import sys\n"
        "import numpy as np, s2s\n"
        "assert 'scipy' not in sys.modules\n"
        "sys.modules['scipy'] = None\n"   # from here, `import scipy` raises ImportError
        "from s2s.rules import all_rules\n"
        "assert not [r.name for r in all_rules() if r.name.startswith('scipy')]\n"
        "def f(x):\n"
        "    return np.sum(np.sin(x) * x)\n"
        "print(s2s.grad(f)(np.array([0.5]))[0])\n")
    done = subprocess.run([sys.executable, str(tmp_path / "no_scipy.py")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(np.sin(0.5) + 0.5 * np.cos(0.5))


# ---- multivariate normal with allow_singular=True ----------------------------------------------------------
SINGULAR = np.diag([2.0, 0.5, 0.0])   # the density lives on the plane x[2] == mean[2]


def mvn_allowed(x, mean, cov):
    return scipy.stats.multivariate_normal.logpdf(x, mean, cov, allow_singular=True)


def mvn_allowed_pdf_sum(x, mean):
    return np.sum(scipy.stats.multivariate_normal.pdf(x, mean, SINGULAR, allow_singular=True))


def test_allow_singular_with_a_covariance_that_is_not_singular_is_the_plain_density():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + np.eye(3)
    args = [rng.normal(size=3), rng.normal(size=3), cov]
    grads = s2s.grad(mvn_allowed, wrt=(0, 1, 2))(*args)
    for k in (0, 1):
        np.testing.assert_allclose(grads[k], numerical_grad(mvn_allowed, args, k), rtol=1e-6, atol=1e-8)
    # cov: the lower triangle is read (SciPy mirrors it), so compare along a symmetric direction
    d = rng.normal(size=(3, 3))
    d = d + d.T
    eps = 1e-6
    numeric = (mvn_allowed(args[0], args[1], cov + eps * d) - mvn_allowed(args[0], args[1], cov - eps * d)) / (2 * eps)
    assert np.sum(grads[2] * np.tril(d)) == pytest.approx(numeric, rel=1e-6)


def test_allow_singular_differentiates_x_and_mean_along_the_support():
    """With a singular covariance the density lives on a subspace: x and mean get the derivative
    along it (the pseudo-inverse's formula, as SciPy evaluates it), in both modes and to second order."""
    x = np.array([[0.3, -0.4, 1.0], [1.1, 0.2, 1.0]])
    mean = np.array([0.1, 0.2, 1.0])
    gx, gm = s2s.grad(mvn_allowed_pdf_sum, wrt=(0, 1))(x, mean)
    assert np.all(gx[:, 2] == 0.0) and gm[2] == 0.0
    for k, arg in ((0, x), (1, mean)):
        def along(v, k=k):   # move only the coordinates in the support
            moved = [x, mean]
            moved[k] = np.concatenate([v, arg[..., 2:]], axis=-1)
            return mvn_allowed_pdf_sum(*moved)
        expected = numerical_grad(along, [arg[..., :2]], 0)
        np.testing.assert_allclose((gx, gm)[k][..., :2], expected, rtol=1e-6, atol=1e-9)
    t = np.array([[1.0, -1.0, 0.0], [0.5, 2.0, 0.0]])
    value, tangent = s2s.jvp(mvn_allowed_pdf_sum)(x, mean, t)
    assert tangent == pytest.approx(np.sum(gx * t))
    eps = 1e-5
    numeric = (s2s.grad(mvn_allowed_pdf_sum)(x + eps * t, mean) - s2s.grad(mvn_allowed_pdf_sum)(x - eps * t, mean)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(mvn_allowed_pdf_sum)(x, mean, t), numeric, rtol=1e-5, atol=1e-9)


def test_allow_singular_refuses_the_derivative_in_a_singular_covariance_when_run():
    args = (np.array([0.3, -0.4, 1.0]), np.array([0.1, 0.2, 1.0]), SINGULAR)
    with pytest.raises(s2s.UndefinedDerivativeError, match="singular covariance"):
        s2s.grad(mvn_allowed, wrt=2)(*args)
    with pytest.raises(s2s.UndefinedDerivativeError, match="singular covariance"):
        s2s.jvp(mvn_allowed, wrt=2)(*args, np.eye(3))
