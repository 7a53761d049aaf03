// Server-side configuration, read once at start-up.
export const config = {
  databaseUrl: process.env.DATABASE_URL,
  stripeSecretKey: process.env.STRIPE_SECRET_KEY,
  stripeWebhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
  resendApiKey: process.env.RESEND_API_KEY,
  siteUrl: process.env.NEXT_PUBLIC_SITE_URL,
  // Added for the referral launch; nobody told the deploy settings.
  referralSigningKey: process.env.REFERRAL_SIGNING_KEY,
  port: Number(process.env.PORT ?? 3000),
};
