// The quality bars issue 7 sets for the classifier on the held-out texts: what the quality test asserts and
// what the admin's 分类模型 screen shows each score against.
export const TEXT_QUALITY_BARS = Object.freeze({
  /** Top-1 category accuracy. */
  categoryAccuracy: 0.9,
  urgencyAccuracy: 0.9,
  /** Share of texts at or above the confidence threshold (dispatched without a clerk). */
  coverage: 0.7,
  /** Category accuracy among those. */
  confidentAccuracy: 0.97,
});
