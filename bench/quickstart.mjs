// The stateless Twilio quickstart a user would write instead of the bot: express, twilio.webhook()
// (signature checked against the public URL) and MessagingResponse; nothing is stored. The bench
// runs it as its own process beside the bot and drives both with the same signed webhooks.
import process from 'node:process';
import express from 'express';
import twilio from 'twilio';

const { PORT = '0', TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL } = process.env;
const app = express();
app.post(
  '/twilio/sms',
  express.urlencoded({ extended: false }),
  twilio.webhook(TWILIO_AUTH_TOKEN, { url: `${PUBLIC_BASE_URL}/twilio/sms` }),
  (_req, res) => {
    const response = new twilio.twiml.MessagingResponse();
    response.message('Thanks for your message! What does your product do?');
    res.type('text/xml').send(response.toString());
  },
);
const server = app.listen(Number(PORT), '127.0.0.1', () => {
  process.stdout.write(`quickstart listening on port ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
