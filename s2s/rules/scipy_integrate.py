"""SciPy's integrators: `scipy.integrate.odeint` is refused wherever a derivative flows into it.

Its derivative in y0, t or the extra arguments needs the derivative of the user's
function along the solution (the sensitivity or adjoint ODE, integrated with it),
which s2s does not build. A call whose arguments carry no derivative stays in the
primal code as it is.
"""
import scipy.integrate

from . import rule

_ODE = ("s2s does not differentiate through an ODE solver (it needs the derivative of `func` along the solution, an "
        "adjoint ODE): write the integrator's steps in Python (e.g. a fixed-step Runge-Kutta loop) so s2s "
        "differentiates them, or pass constants")
_ARGS = ("func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None, rtol=None, atol=None, "
         "tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0, mxhnil=0, mxordn=12, mxords=5, printmessg=0, "
         "tfirst=False")
rule(scipy.integrate.odeint, args=_ARGS, name="scipy.integrate.odeint",
     constant=dict.fromkeys(("func", "y0", "t", "args", "Dfun", "rtol", "atol", "tcrit", "h0", "hmax", "hmin"), _ODE))
