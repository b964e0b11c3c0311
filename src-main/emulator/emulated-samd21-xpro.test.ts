import { defineEmulatedBoardSuite } from './emulated-board-suite.js';

defineEmulatedBoardSuite('samd21-xpro', 400_000);
