export default async function demo(): Promise<void> { console.log("demo"); }
