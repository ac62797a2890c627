/**
 * Languages the service accepts, shared by the speech and translation tasks. Clients may send ISO 639-1
 * (`hi`), ISO 639-3 (`hin`), the English name (`hindi`) or a model's own code (`__hi__` for M2M100,
 * `hin_Deva` for NLLB); everything is normalised to ISO 639-1 here, and each model layer maps that to its
 * own code. Only languages that both Whisper and M2M100 handle are listed.
 */
export interface Language {
  iso1: string;
  iso3: string;
  name: string; // Whisper's language name
  nllb: string;
}

const TABLE: [string, string, string, string][] = [
  ['en', 'eng', 'english', 'eng_Latn'], ['hi', 'hin', 'hindi', 'hin_Deva'], ['bn', 'ben', 'bengali', 'ben_Beng'],
  ['ta', 'tam', 'tamil', 'tam_Taml'], ['te', 'tel', 'telugu', 'tel_Telu'], ['mr', 'mar', 'marathi', 'mar_Deva'],
  ['gu', 'guj', 'gujarati', 'guj_Gujr'], ['kn', 'kan', 'kannada', 'kan_Knda'], ['ml', 'mal', 'malayalam', 'mal_Mlym'],
  ['pa', 'pan', 'punjabi', 'pan_Guru'], ['ur', 'urd', 'urdu', 'urd_Arab'], ['ne', 'nep', 'nepali', 'npi_Deva'],
  ['fr', 'fra', 'french', 'fra_Latn'], ['de', 'deu', 'german', 'deu_Latn'], ['es', 'spa', 'spanish', 'spa_Latn'],
  ['pt', 'por', 'portuguese', 'por_Latn'], ['it', 'ita', 'italian', 'ita_Latn'], ['nl', 'nld', 'dutch', 'nld_Latn'],
  ['ru', 'rus', 'russian', 'rus_Cyrl'], ['uk', 'ukr', 'ukrainian', 'ukr_Cyrl'], ['pl', 'pol', 'polish', 'pol_Latn'],
  ['tr', 'tur', 'turkish', 'tur_Latn'], ['ar', 'ara', 'arabic', 'arb_Arab'], ['fa', 'fas', 'persian', 'pes_Arab'],
  ['he', 'heb', 'hebrew', 'heb_Hebr'], ['zh', 'zho', 'chinese', 'zho_Hans'], ['ja', 'jpn', 'japanese', 'jpn_Jpan'],
  ['ko', 'kor', 'korean', 'kor_Hang'], ['vi', 'vie', 'vietnamese', 'vie_Latn'], ['th', 'tha', 'thai', 'tha_Thai'],
  ['id', 'ind', 'indonesian', 'ind_Latn'], ['ms', 'msa', 'malay', 'zsm_Latn'], ['sv', 'swe', 'swedish', 'swe_Latn'],
  ['el', 'ell', 'greek', 'ell_Grek'], ['sw', 'swa', 'swahili', 'swh_Latn'],
];

export const LANGUAGES: readonly Language[] = TABLE.map(([iso1, iso3, name, nllb]) => ({ iso1, iso3, name, nllb }));

const BY_ANY = new Map<string, Language>();
for (const l of LANGUAGES) {
  for (const k of [l.iso1, l.iso3, l.name, l.nllb.toLowerCase(), `__${l.iso1}__`]) BY_ANY.set(k, l);
}
// ISO 639-2/B and other spellings clients send
for (const [alias, iso1] of [['fre', 'fr'], ['ger', 'de'], ['chi', 'zh'], ['per', 'fa'], ['may', 'ms'], ['dut', 'nl'], ['gre', 'el'], ['zho_hant', 'zh']] as const) {
  BY_ANY.set(alias, BY_ANY.get(iso1)!);
}

/** The language for any accepted spelling, or undefined. */
export function findLanguage(code: string): Language | undefined {
  return BY_ANY.get(code.trim().toLowerCase());
}

export const SUPPORTED_LANGUAGE_CODES: readonly string[] = LANGUAGES.map((l) => l.iso1);
