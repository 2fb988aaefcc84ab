//! `starts`: exact per-start figures of a local-search variant (`nasland starts`).

use crate::errors;
use crate::input::Request;
use nasland::search::dp::{loss_order, solve_in_order, Target};
use nasland::search::Variant;
use nasland::space::VertexId;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;

/// Exact per-start figures of one local-search variant, one entry per vertex id.
///
/// - ``p_success`` (float64): P(the search from v ends within ``eps`` of the best value);
/// - ``expected_moves``, ``expected_evaluations`` (float64): the start and every
///   neighbour evaluation counted, repeats included;
/// - ``expected_end_value`` (float64): E[value of the end vertex], in metric units;
/// - ``end`` (uint32): for ``variant="best"``, the vertex each start ends at (LS*);
///   empty for the randomised variants;
/// - ``top_minima`` (uint32): the K best local minima, best first;
/// - ``p_end`` (float64, shape (n, K)): P(start v ends at ``top_minima[j]``).
///
/// ``p_success_mean`` and friends are the means over starts that ``nasland starts``
/// prints.
#[pyclass(module = "nasland._nasland", frozen)]
pub struct Starts {
    #[pyo3(get)]
    variant: String,
    #[pyo3(get)]
    eps: f64,
    #[pyo3(get)]
    p_success: Py<PyArray1<f64>>,
    #[pyo3(get)]
    expected_moves: Py<PyArray1<f64>>,
    #[pyo3(get)]
    expected_evaluations: Py<PyArray1<f64>>,
    #[pyo3(get)]
    expected_end_value: Py<PyArray1<f64>>,
    #[pyo3(get)]
    end: Py<PyArray1<VertexId>>,
    #[pyo3(get)]
    top_minima: Py<PyArray1<VertexId>>,
    #[pyo3(get)]
    p_end: Py<PyAny>,
    /// Mean of ``p_success`` over starts.
    #[pyo3(get)]
    p_success_mean: f64,
    /// Mean of ``expected_evaluations`` over starts.
    #[pyo3(get)]
    expected_evaluations_mean: f64,
    /// Mean of ``expected_moves`` over starts.
    #[pyo3(get)]
    expected_moves_mean: f64,
    /// Vertices with no strictly better neighbour.
    #[pyo3(get)]
    local_minima: usize,
    /// Vertices whose every neighbour is strictly worse.
    #[pyo3(get)]
    strict_local_minima: usize,
}

#[pymethods]
impl Starts {
    fn __repr__(&self) -> String {
        format!(
            "<nasland.Starts variant {} · ε = {} · mean P(success) {:.4}>",
            self.variant, self.eps, self.p_success_mean
        )
    }
}

/// Per-start success probabilities (see ``nasland.starts``).
#[pyfunction]
#[pyo3(signature = (request, *, variant="best", eps=0.0, top_minima=3))]
pub fn starts(
    py: Python<'_>,
    request: Request,
    variant: &str,
    eps: f64,
    top_minima: usize,
) -> PyResult<Starts> {
    let variant =
        Variant::parse(variant).map_err(|e| errors::input("variant", format!("{e:#}")))?;
    errors::check_eps(eps)?;
    let (mut s, sign) = py.detach(move || -> PyResult<_> {
        let input = request.load()?;
        let order = loss_order(&input.loss);
        let s = solve_in_order(
            &input.space,
            &input.loss,
            &order,
            variant,
            Target::Eps(eps),
            top_minima,
        );
        Ok((s, input.sign()))
    })?;
    let column = |f: &dyn Fn(&nasland::search::dp::StartStats) -> f64| {
        PyArray1::from_vec(py, s.stats.iter().map(f).collect()).unbind()
    };
    let n = s.stats.len();
    let k = s.k();
    let p_end = PyArray1::from_vec(py, std::mem::take(&mut s.p_end))
        .reshape([n, k])?
        .into_any()
        .unbind();
    Ok(Starts {
        variant: variant.to_string(),
        eps,
        p_success: column(&|x| x.p_success),
        expected_moves: column(&|x| x.expected_moves),
        expected_evaluations: column(&|x| x.expected_evaluations),
        expected_end_value: column(&|x| sign * x.expected_end_loss + 0.0),
        p_success_mean: s.mean(|x| x.p_success),
        expected_evaluations_mean: s.mean(|x| x.expected_evaluations),
        expected_moves_mean: s.mean(|x| x.expected_moves),
        local_minima: s.local_minima,
        strict_local_minima: s.strict_local_minima,
        end: PyArray1::from_vec(py, s.end).unbind(),
        top_minima: PyArray1::from_vec(py, s.top_minima).unbind(),
        p_end,
    })
}
