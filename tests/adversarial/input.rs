// Input-side adversarial tests (issue #14 B) go here.
