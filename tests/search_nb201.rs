//! The search module on real NAS-Bench-201 columns: `best` against the landscape
//! `analyze` reports, the DP against Monte Carlo walks, the simulator's restart
//! statistics against the exact formula, and noise with σ = 0 against the noiseless
//! landscape.

use nasland::input::Input;
use nasland::landscape::Landscape;
use nasland::search::cost::independent_restarts;
use nasland::search::dp::{loss_order, solve, Target};
use nasland::search::noise::{analyze, noisy, NoiseOptions};
use nasland::search::simulate::{simulate, summarize, Cache, SimOptions};
use nasland::search::{within_eps, Variant};
use nasland::space::{Neighbourhood, ProductSpace, VertexId};
use nasland::stats::{summarize as summarize_landscape, SummaryOptions};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const COLUMNS: [&str; 4] = [
    "c100_test_200_mean",
    "c10v_valid_200_mean",
    "in16_test_200_oneseed",
    "cifar100_val_12", // 12-epoch: many exact ties
];

fn load() -> Vec<Input> {
    let space = ProductSpace::parse("nb201").unwrap();
    let cols: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    Input::from_table_columns(
        space,
        &crate::util::shared_data("nb201.csv"),
        "arch_str",
        &cols,
        true,
    )
    .unwrap()
}

#[test]
fn best_equals_the_landscape_of_analyze() {
    for input in load() {
        let loss = &input.loss;
        let land = input.space.landscape(loss);
        let eps_list = [0.0, 0.1, 1.0];
        let summary = summarize_landscape(
            loss,
            &land,
            input.sign(),
            &|v| v.to_string(),
            &SummaryOptions {
                eps: eps_list.to_vec(),
                top: 5,
                max_optimum_archs: 0,
            },
        );
        for (i, &eps) in eps_list.iter().enumerate() {
            let st = solve(&input.space, loss, Variant::Best, Target::Eps(eps), 5);
            assert_eq!(st.end, land.ls_star, "{} LS*", input.metric);
            assert_eq!(st.local_minima, land.local_minima);
            assert_eq!(st.strict_local_minima, land.strict_local_minima);
            let ok = within_eps(loss, eps);
            let mut successes = 0u64;
            for v in 0..loss.len() {
                let s = &st.stats[v];
                let m = land.ls_star[v] as usize;
                assert_eq!(s.p_success, ok[m] as u8 as f64);
                assert_eq!(s.expected_moves, land.steps[v] as f64);
                assert_eq!(s.expected_end_loss, loss[m]);
                // Every visited vertex scans its 24 neighbours; the start counts once.
                assert_eq!(
                    s.expected_evaluations,
                    1.0 + 24.0 * (land.steps[v] as f64 + 1.0)
                );
                successes += ok[m] as u64;
            }
            let p = summary.eps_curve[i].p;
            assert_eq!(
                successes as f64 / loss.len() as f64,
                p,
                "{} P({eps})",
                input.metric
            );
            assert!((st.mean(|s| s.p_success) - p).abs() < 1e-12);
            // The best minima and their basins.
            for (j, m) in summary.minima.iter().enumerate() {
                assert_eq!(st.top_minima[j], m.id);
                let basin: f64 = (0..loss.len()).map(|v| st.p_end_of(v as VertexId)[j]).sum();
                assert_eq!(basin, m.basin as f64);
            }
        }
    }
}

/// One memoryless search from `start`, written plainly: shuffle the neighbours, scan.
fn walk(
    space: &ProductSpace,
    loss: &[f64],
    variant: Variant,
    start: VertexId,
    rng: &mut ChaCha8Rng,
) -> (VertexId, u32, u32) {
    let (mut cur, mut moves, mut evals) = (start, 0, 1);
    loop {
        let mut nbrs = vec![];
        space.for_each_neighbour(cur, |u| nbrs.push(u));
        nbrs.shuffle(rng);
        let mut next: Option<VertexId> = None;
        for &u in &nbrs {
            evals += 1;
            let lu = loss[u as usize];
            match variant {
                Variant::First if lu < loss[cur as usize] => {
                    next = Some(u);
                    break;
                }
                Variant::First => {}
                Variant::Best => {
                    if next.is_none_or(|b| (lu, u) < (loss[b as usize], b)) {
                        next = Some(u)
                    }
                }
                Variant::BestRandomTies => {
                    if next.is_none_or(|b| lu < loss[b as usize]) {
                        next = Some(u)
                    }
                }
            }
        }
        match next {
            Some(u) if loss[u as usize] < loss[cur as usize] => {
                cur = u;
                moves += 1;
            }
            _ => return (cur, moves, evals),
        }
    }
}

/// |estimate − exact| within 5 standard errors (or equal when the spread is 0).
fn within(xs: &[f64], exact: f64, what: &str) {
    let m = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / m;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
    let bound = 5.0 * sd / m.sqrt() + 1e-9 * (1.0 + exact.abs());
    assert!(
        (mean - exact).abs() <= bound,
        "{what}: Monte Carlo {mean} vs exact {exact} (bound {bound})"
    );
}

#[test]
fn dp_matches_monte_carlo_walks() {
    let space = ProductSpace::parse("nb201").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for input in load() {
        let loss = &input.loss;
        let ok = within_eps(loss, 0.0);
        for variant in Variant::ALL {
            let st = solve(&space, loss, variant, Target::Eps(0.0), 3);
            // Per start, on 40 random starts.
            for _ in 0..40 {
                let v = rng.gen_range(0..space.len() as VertexId);
                let exact = &st.stats[v as usize];
                let (mut p, mut mv, mut ev, mut top1) = (vec![], vec![], vec![], vec![]);
                for _ in 0..800 {
                    let (end, moves, evals) = walk(&space, loss, variant, v, &mut rng);
                    p.push(ok[end as usize] as u8 as f64);
                    mv.push(moves as f64);
                    ev.push(evals as f64);
                    top1.push((end == st.top_minima[0]) as u8 as f64);
                }
                let what = format!("{} {variant} start {v}", input.metric);
                within(&p, exact.p_success, &format!("{what} p_success"));
                within(&mv, exact.expected_moves, &format!("{what} moves"));
                within(
                    &ev,
                    exact.expected_evaluations,
                    &format!("{what} evaluations"),
                );
                within(&top1, st.p_end_of(v)[0], &format!("{what} p_end_1"));
            }
        }
    }
}

#[test]
fn simulator_restarts_match_the_exact_formula() {
    for input in load() {
        let loss = &input.loss;
        let order = loss_order(loss);
        for variant in Variant::ALL {
            for num_init in [1, 3] {
                let st = solve(&input.space, loss, variant, Target::Eps(0.0), 0);
                let exact = independent_restarts(&st, loss, &order, num_init);
                let opts = SimOptions {
                    variant,
                    num_init,
                    budget: None,
                    cache: Cache::None,
                    runs: 4000,
                    seed: 7,
                };
                let runs = simulate(&input.space, loss, &st.success, &opts);
                let what = format!("{} {variant} num_init {num_init}", input.metric);
                let col = |f: &dyn Fn(&nasland::search::simulate::RunResult) -> Option<u64>| {
                    runs.iter()
                        .map(|r| f(r).unwrap() as f64)
                        .collect::<Vec<_>>()
                };
                within(
                    &col(&|r| r.restarts_to_end.map(u64::from)),
                    exact.restarts,
                    &format!("{what} restarts"),
                );
                within(
                    &col(&|r| r.ended_at),
                    exact.until_end,
                    &format!("{what} until end"),
                );
                within(
                    &col(&|r| r.found_at),
                    exact.until_found.unwrap(),
                    &format!("{what} until found"),
                );
                // Without a cache, a run finds the set in the restart that ends there.
                assert!(runs
                    .iter()
                    .all(|r| r.restarts_to_found == r.restarts_to_end));
            }
        }
    }
}

#[test]
fn simulator_cache_and_budget() {
    let input = load().remove(0);
    let loss = &input.loss;
    let ok = within_eps(loss, 0.0);
    let base = SimOptions {
        variant: Variant::BestRandomTies,
        num_init: 1,
        budget: None,
        cache: Cache::Paper,
        runs: 500,
        seed: 3,
    };
    let n = input.space.len() as u64;
    for cache in [Cache::Paper, Cache::Shared] {
        let runs = simulate(&input.space, loss, &ok, &SimOptions { cache, ..base });
        for r in &runs {
            // With a cache nothing is paid twice, so a run never exceeds n evaluations,
            // and the optimum is found no later than a search ends there.
            assert!(r.evaluations <= n);
            let found = r.found_at.expect("found without budget");
            assert!(r.ended_at.is_none_or(|e| found <= e));
        }
        // Same seed, same runs, whatever the thread count.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again =
            pool.install(|| simulate(&input.space, loss, &ok, &SimOptions { cache, ..base }));
        assert_eq!(runs, again);
    }
    let budget = 100;
    let runs = simulate(
        &input.space,
        loss,
        &ok,
        &SimOptions {
            budget: Some(budget),
            ..base
        },
    );
    assert!(runs.iter().all(|r| r.evaluations <= budget));
    assert!(runs.iter().all(|r| r.found_at.is_none_or(|f| f <= budget)));
    let s = summarize(&runs);
    assert!(
        s.found_within_budget > 0.0 && s.found_within_budget < 1.0,
        "{s:?}"
    );
}

#[test]
fn noise_zero_is_the_noiseless_landscape_and_large_noise_is_iid() {
    for input in load() {
        let loss = &input.loss;
        assert_eq!(&noisy(loss, 0.0, 5, 0), loss);
        let land: Landscape = input.space.landscape(loss);
        for variant in Variant::ALL {
            let opts = NoiseOptions {
                sigma: 0.0,
                draws: 3,
                seed: 5,
                variant,
                eps: 0.5,
            };
            let report = analyze(&input.space, loss, &opts);
            assert_eq!(report.local_minima, vec![land.local_minima; 3]);
            let st = solve(&input.space, loss, variant, Target::Eps(0.5), 0);
            let exact: Vec<f64> = st.stats.iter().map(|s| s.p_success).collect();
            for (a, b) in report.p_success.iter().zip(&exact) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
    }
    // Noise that swamps the values: local minima of iid losses, E = 625, sd = 15.81.
    let input = load().remove(0);
    let opts = NoiseOptions {
        sigma: 1e9,
        draws: 16,
        seed: 9,
        variant: Variant::Best,
        eps: 0.0,
    };
    let report = analyze(&input.space, &input.loss, &opts);
    let mean = report.local_minima.iter().sum::<usize>() as f64 / 16.0;
    assert!((mean - 625.0).abs() < 5.0 * 15.81 / 4.0, "{mean}");
    // Draws are reproducible and independent of the thread count.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let again = pool.install(|| analyze(&input.space, &input.loss, &opts));
    assert_eq!(report.local_minima, again.local_minima);
    assert_eq!(report.p_success, again.p_success);
}
