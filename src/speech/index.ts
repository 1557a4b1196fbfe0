/** Persian prompts and speech: catalogue, say-back composition, checks, hot-reloading library. */
export { compose, composeItem, toMedia, fromMedia, toPersianText, isPromptName, PROMPT_NAME, SOUND_FOLDER, type TextLookup } from './compose.ts';
export {
  spellNumber,
  spellAmount,
  spellDigits,
  spellDate,
  spellCount,
  spellGrouped,
  spellIdentifier,
  spellRequestNumber,
  DIGIT_GROUPS,
  GROUP_PAUSE,
  toJalali,
  parseDateInput,
  toLatinDigits,
  fragmentNames,
  MAX_NUMBER,
  type JalaliDate,
  type AmountOptions,
  type DateOptions,
} from './numbers.ts';
export { loadCatalogue, readCatalogue, parseCatalogueFile, mergeCatalogue, CatalogueError, type Catalogue, type PromptEntry } from './catalogue.ts';
export { checkPrompts, checkAudioFile, type CheckOptions } from './check.ts';
export { PromptLibrary, DEFAULT_PROMPTS_DIR, defaultPromptsDir, type PromptLibraryOptions, type LibraryChange } from './library.ts';
export { REQUIRED_FORMATS, type AudioFormat } from './audio.ts';
