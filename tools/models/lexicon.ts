/**
 * The words the BERT samples know. The marked groups get hand-set embedding features so the
 * heads have something real to read: sentiment for bert-sentiment and bert-nli, person and
 * place for bert-ner. Everything else is ordinary vocabulary with seeded random embeddings.
 */

/** Word lists are written as text so they stay compact; split on any whitespace. */
const words = (text: string): string[] => text.trim().split(/\s+/);

export const POSITIVE_WORDS = words('good great love excellent happy wonderful best nice positive');
export const NEGATIVE_WORDS = words('bad awful hate terrible sad horrible worst boring negative');
export const PERSON_NAMES = words('alice bob carol dave eve john mary anna peter maria');
export const PLACE_NAMES = words('paris london berlin tokyo rome madrid york vienna lisbon oslo');

export const COMMON_WORDS = words(`
  the a an and or but not no yes is are was were be been am
  i you he she it we they me my your his her our their this that
  these those there here what who where when why how which all some very
  of in on at to from with for by about into over after before as
  do does did have has had can will would should could may go went
  come see saw make made take get know think say said want like feel
  live lives work works visit visited meet met read write play watch
  day time year week today people man woman city country home world life
  movie film book food music game story show song place thing news weather
  sports politics science technology cooking travel business health art history
  example text model sample test data new old big small long short really
  so too more most much many one two three first last just only also
`);

/** Sub-word pieces so that WordPiece splits words like "movies" into "movie ##s". */
export const SUFFIXES = words('##s ##es ##ed ##ing ##ly ##er ##est ##y ##n ##d');

export const PUNCTUATION = words(`. , ! ? ' - : ; ( ) "`);
