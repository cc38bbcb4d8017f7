/**
 * A `train_model` request on the bundled blobs.csv (two features, three classes) that trains in a
 * few epochs on any backend: the ML spec's and the apps' trainings start from it.
 */
export const BLOBS_TRAINING = {
  layers: [
    { type: 'dense', units: 16, activation: 'relu', inputShape: [2] },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
  data: { csv_url: '/models/data/blobs.csv', label: 'label' },
  batch_size: 32,
  learning_rate: 0.05,
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
};
