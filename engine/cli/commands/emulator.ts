import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('emulator', COMMANDS['emulator']!.summary, 'the issue tracker');
