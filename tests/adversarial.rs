//! Adversarial inputs and environments: one test per way a user or a script can break nasland.

mod input;
mod output;
