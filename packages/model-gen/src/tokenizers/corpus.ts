/**
 * Tiny built-in training text for the byte-level BPE tokenizers. Any text tokenizes anyway
 * (byte-level fallback); the corpus only decides which merges exist, so it mixes the
 * customer-service English and Hindi the product sees, plus a few other languages.
 */
export const ENGLISH = `
The customer called about a damaged package that arrived yesterday. The box was torn and the item
inside was cracked, scratched and dented. She asked for a refund or a replacement, and the agent
explained the return policy: items can be returned within thirty days of delivery. Our support team
is available every day from nine in the morning until six in the evening. Please keep your order
number ready when you contact us. Shipping is free for orders over fifty dollars. Refunds are
processed within five business days after we receive the returned product. If the product is
defective, we will send a new one at no extra cost. The warranty covers manufacturing defects for
one year. You can track your order online, change the delivery address, or cancel the order before
it ships. Thank you for your patience; we are sorry for the inconvenience and we want to help.
What is the return policy? How long does shipping take? When will I get my money back? Where is my
order? Which payment methods do you accept? We accept credit cards, debit cards and bank transfers.
The quick brown fox jumps over the lazy dog. Hello, world! This is a test of the summary service.
`;

export const HINDI = `
मेरा पैकेट टूटा हुआ आया है। कृपया मुझे पैसे वापस कर दीजिए। ग्राहक सेवा हर दिन सुबह नौ बजे से शाम छह बजे तक
उपलब्ध है। आपका ऑर्डर कल तक पहुँच जाएगा। धन्यवाद, हम आपकी मदद करना चाहते हैं। क्या मैं अपना ऑर्डर रद्द कर सकता हूँ?
सामान खराब है और डिब्बा फटा हुआ है। वापसी की नीति क्या है? नमस्ते, मैं आपकी कैसे मदद कर सकता हूँ?
`;

export const OTHER = `
Bonjour, mon colis est arrivé endommagé. Guten Tag, meine Bestellung ist beschädigt.
Hola, mi pedido llegó roto. Olá, meu pedido chegou quebrado. Здравствуйте, мой заказ повреждён.
مرحبا، طلبي وصل تالفًا. 你好，我的包裹坏了。 こんにちは、荷物が壊れていました。 নমস্কার। வணக்கம். سلام۔
`;

/** Common English words for the WordPiece vocabulary (whole-word pieces keep QA spans readable). */
const ENGLISH_WORDS: string[] = ENGLISH.match(/[A-Za-z]+/g) ?? [];

export const COMMON_WORDS = ENGLISH_WORDS.concat(
  'a an and are as at be but by can do for from has have he her his i in is it its me my no not of on or our she so that the their them they this to up us was we were what when where which who why will with would you your yes one two three four five six seven eight nine ten hundred thousand day week month year time today tomorrow yesterday price cost order item product box help please thanks'.split(
    ' ',
  ),
);
