// Test files use mocha globals (describe, it, before...) provided by @web/test-runner.
/// <reference types="mocha" />
