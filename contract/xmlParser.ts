/**
 * fast-xml-parser, as the rest of the code sees it. The build replaces this module's compiled
 * output with the parser itself, bundled into that one file (scripts/bundle.js), so neither the
 * nodes package nor the emulator package has a runtime dependency.
 */
export { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
