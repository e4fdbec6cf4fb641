import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('certs', COMMANDS['certs']!.summary, 'the issue tracker');
