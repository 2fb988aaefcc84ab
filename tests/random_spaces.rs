//! proptest: random small product spaces with heavy ties against the per-start climber.

use crate::util::oracle;
use nasland::landscape::Landscape;
use nasland::space::{Csr, ProductSpace};
use nasland::stats::{summarize, SummaryOptions};
use proptest::prelude::*;

fn space_and_loss() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    prop::collection::vec(2usize..6, 1..5).prop_flat_map(|radices| {
        let n: usize = radices.iter().product();
        let levels = 1u32..8;
        (Just(radices), levels).prop_flat_map(move |(radices, k)| {
            (
                Just(radices),
                prop::collection::vec((0..k).prop_map(|x| x as f64 * 0.5 - 1.0), n),
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn kernels_match_the_climber((radices, loss) in space_and_loss()) {
        let mut spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
        if radices.len() == 1 {
            spec += "^1";
        }
        let space = ProductSpace::parse(&spec).unwrap();
        let c = oracle::climb(&loss, &radices);

        for land in [Landscape::of_product(&space, &loss), Landscape::of_graph(&Csr::from_neighbourhood(&space), &loss)] {
            let end: Vec<usize> = land.ls_star.iter().map(|&m| m as usize).collect();
            prop_assert_eq!(&end, &c.end);
            prop_assert_eq!(&land.steps, &c.steps);
            prop_assert_eq!(land.local_minima, c.local_minima);
            prop_assert_eq!(land.strict_local_minima, c.strict_local_minima);

            let eps = vec![0.0, 0.5, 1.0];
            let s = summarize(&loss, &land, 1.0, &|v| space.encode(v), &SummaryOptions { eps: eps.clone(), top: 3, max_optimum_archs: 5 });
            for (point, e) in s.eps_curve.iter().zip(&eps) {
                prop_assert_eq!(point.p, oracle::p_eps(&loss, &c, *e));
            }
            let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
            prop_assert_eq!(s.global_optimum.count, loss.iter().filter(|&&x| x == best).count());
        }
    }
}
