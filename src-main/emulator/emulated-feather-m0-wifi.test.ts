import { defineEmulatedBoardSuite } from './emulated-board-suite.js';

defineEmulatedBoardSuite('feather-m0-wifi', 200_000);
