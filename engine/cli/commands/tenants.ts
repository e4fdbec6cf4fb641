import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('tenants', COMMANDS['tenants']!.summary, 'the issue tracker');
