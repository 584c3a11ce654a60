// Resolves the path aliases of the compiled code in dist/ (tsc keeps import specifiers as written):
// @app/* for the libraries; @test/* for the test helpers the benchmark uses (bench/backbone.ts runs the
// messaging probe of test/support/messaging), compiled into dist/test/ only because bench imports them.
const path = require('node:path');
require('tsconfig-paths').register({
  baseUrl: path.join(__dirname, '..', 'dist'),
  paths: { '@app/*': ['libs/*/src'], '@test/*': ['test/*'] },
});
