/**
 * A BERT-style WordPiece tokenizer (`tokenizer.json` + `tokenizer_config.json`) over the
 * small vocabulary in lexicon.ts, in the Hugging Face tokenizers format transformers.js reads.
 */
import {
  COMMON_WORDS,
  NEGATIVE_WORDS,
  PERSON_NAMES,
  PLACE_NAMES,
  POSITIVE_WORDS,
  PUNCTUATION,
  SUFFIXES,
} from './lexicon.ts';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const MODEL_MAX_LENGTH = 128;

/** Token strings in id order; the same list for every BERT sample. */
export function buildVocab(): string[] {
  const words = [...COMMON_WORDS, ...POSITIVE_WORDS, ...NEGATIVE_WORDS, ...PERSON_NAMES, ...PLACE_NAMES];
  const vocab = [...SPECIAL_TOKENS, ...PUNCTUATION, ...words, ...SUFFIXES];
  if (new Set(vocab).size !== vocab.length) throw new Error('lexicon has a duplicate word');
  return vocab;
}

function tokenId(vocab: string[], token: string): number {
  const id = vocab.indexOf(token);
  if (id < 0) throw new Error(`${token} is not in the vocabulary`);
  return id;
}

export function tokenizerJson(vocab: string[]): object {
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const specialEntry = (token: string) => ({ id: token, ids: [tokenId(vocab, token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: tokenId(vocab, content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    // Pairs (zero-shot premise + hypothesis) get token_type_ids 0 then 1, as BERT expects.
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0), sequence('B', 1), special('[SEP]', 1)],
      special_tokens: { '[CLS]': specialEntry('[CLS]'), '[SEP]': specialEntry('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

export function tokenizerConfigJson(): object {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: MODEL_MAX_LENGTH,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
}
