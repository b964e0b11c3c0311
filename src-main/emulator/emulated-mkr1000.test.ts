import { defineEmulatedBoardSuite } from './emulated-board-suite.js';

defineEmulatedBoardSuite('mkr1000', 200_000);
