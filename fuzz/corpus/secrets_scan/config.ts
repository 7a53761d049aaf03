export const config = {
  stripeKey: "sk_live_51HfakeFAKEfake0123456789abcdEFGH", // launchgate:allow made up for the corpus
  region: "eu-west-1",
};
