'use strict';
// The package's programmatic API (standalone emulator, error catalogue); see README.
module.exports = require('./dist/lib/index.js');
