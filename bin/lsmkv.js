#!/usr/bin/env node
// The `lsmkv` command (package.json "bin"): the CLI itself is TypeScript,
// lib/cli/*.ts compiled to dist/cli/.
'use strict'
require('../dist/cli/main.js').main()
