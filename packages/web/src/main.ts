import "./styles.css";
import { startApp } from "./ui/app.ts";

const root = document.getElementById("app");
if (root) startApp(root);
