// Resolves the @app/* aliases of the compiled code in dist/ (tsc keeps import specifiers as written).
const path = require('node:path');
require('tsconfig-paths').register({
  baseUrl: path.join(__dirname, '..', 'dist'),
  paths: { '@app/*': ['libs/*/src'] },
});
