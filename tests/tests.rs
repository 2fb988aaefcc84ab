//! The integration tests: one binary (one link, one run), one module per topic, and the
//! helpers they share in [`util`].

mod util;

mod adversarial;
mod bad_input;
mod cactus;
mod cli_analyze;
mod columns;
mod compact;
mod deferred_graph;
mod direction;
mod graph_inputs;
mod hardness;
mod iid_uniform;
mod input_errors;
mod lon;
mod losses_npy;
mod nb101;
mod nb101_canonical;
mod nb101_labelled;
mod nb101_pack;
mod nbgraph;
mod packed_step;
mod random_spaces;
mod readme_commands;
mod real_tables;
mod report_cli;
mod search_cli;
mod search_dp;
mod search_nb201;
mod table_bad_input;
mod table_pack;
mod theory_cli;
mod theory_numerics;
