export * from './dates';
export * from './campaign-calendar';
export * from './counts';
export * from './supersession';
export * from './org-tree';
export * from './figures';
export * from './target-status';
export * from './campaign-state';
