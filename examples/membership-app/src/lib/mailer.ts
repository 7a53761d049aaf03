// Sends the welcome email after signup.
import { Resend } from "resend";

// A key pasted in while debugging the launch-day email issue.
const resend = new Resend("re_Vb7kQ2mX_p9Lt4Rz8Nc1Hd6Wj3Fs5Ga0Y");

export async function sendWelcome(to: string, name: string) {
  return resend.emails.send({
    from: "Community <hello@community.example.net>",
    to,
    subject: `Welcome, ${name}`,
    html: `<p>Your membership is active.</p>`,
  });
}
