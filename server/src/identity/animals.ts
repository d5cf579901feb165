/** Animals for derived gateway names (128 words). */
// A word list reads best as a block; one word per line would be 130 lines of noise.
// prettier-ignore
export const ANIMALS: readonly string[] = [
  'albatross', 'alpaca', 'ant', 'antelope', 'badger', 'bat', 'bear', 'beaver', 'bee', 'beetle', 'bison',
  'bobcat', 'buffalo', 'butterfly', 'camel', 'capybara', 'cardinal', 'caribou', 'cat', 'cheetah',
  'chipmunk', 'cicada', 'cobra', 'condor', 'cougar', 'coyote', 'crab', 'crane', 'cricket', 'crow', 'deer',
  'dingo', 'dolphin', 'donkey', 'dove', 'dragonfly', 'duck', 'eagle', 'eel', 'egret', 'elephant', 'elk',
  'emu', 'falcon', 'ferret', 'finch', 'firefly', 'flamingo', 'fox', 'frog', 'gazelle', 'gecko', 'gerbil',
  'gibbon', 'giraffe', 'goat', 'goose', 'gopher', 'gorilla', 'grouse', 'hamster', 'hare', 'hawk',
  'hedgehog', 'heron', 'hippo', 'hornet', 'horse', 'hummingbird', 'ibex', 'ibis', 'iguana', 'impala',
  'jackal', 'jaguar', 'jay', 'kangaroo', 'kestrel', 'kingfisher', 'kiwi', 'koala', 'lark', 'lemur',
  'leopard', 'lion', 'llama', 'lobster', 'lynx', 'macaw', 'magpie', 'manatee', 'marmot', 'meerkat', 'mink',
  'mole', 'moose', 'moth', 'newt', 'ocelot', 'octopus', 'orca', 'osprey', 'otter', 'owl', 'panda',
  'panther', 'parrot', 'pelican', 'penguin', 'puffin', 'quail', 'rabbit', 'raccoon', 'raven', 'robin',
  'salmon', 'seal', 'shark', 'sparrow', 'squirrel', 'stork', 'swan', 'tiger', 'toucan', 'turtle', 'walrus',
  'wolf', 'zebra',
];
