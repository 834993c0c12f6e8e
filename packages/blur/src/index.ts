export { binomialFilter } from './binomial';
