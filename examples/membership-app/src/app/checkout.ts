// Creates a Stripe Checkout session for the monthly membership.
import Stripe from "stripe";
import { config } from "../lib/env";

const stripe = new Stripe(config.stripeSecretKey ?? "", { apiVersion: "2024-06-20" });

export async function createCheckout(customerEmail: string) {
  return stripe.checkout.sessions.create({
    mode: "subscription",
    customer_email: customerEmail,
    line_items: [{ price: "price_monthly_membership", quantity: 1 }],
    success_url: `${config.siteUrl}/welcome`,
    cancel_url: `${config.siteUrl}/pricing`,
  });
}
